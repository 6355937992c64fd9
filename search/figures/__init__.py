"""The figure layer: numbers in news text, what they count, who claims them, and answers from them.

DESIGN.md, "Figures". Modules, from the bottom up:
- quantities: numbers and their hedges as intervals;
- nouns: what is counted (the lexicon lives in lexicon/*.json) and what happened to it;
- extract: the figures of a passage (noun, category, subject, claimant, sentence);
- questions: the count a question asks for;
- answers: the figures that answer a question, grouped and ranked by independent support.
The layer imports only the text layer (search.arabic, search.dates) and, for answers, the
query it is given; the search engine does not import it.
"""

from search.figures.extract import FIGURES_VERSION, Figure, context_before, extract_figures, sentences

__all__ = ["FIGURES_VERSION", "Figure", "context_before", "extract_figures", "sentences"]
