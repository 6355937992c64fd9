# Mizan's web app and CLI, served by gunicorn (`mizan serve`). Built by docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The CPU build of torch first: PyPI's default Linux wheel brings several GB of CUDA libraries.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md LICENSE ./
COPY search ./search
COPY indexer ./indexer
COPY web ./web
COPY data ./data
RUN pip install .

RUN useradd --create-home --uid 10001 mizan && mkdir -p /data && chown mizan /data
USER mizan
# The local index and the dequantised embedding model live on the volume mounted at /data.
ENV MIZAN_INDEX=/data/mizan-index \
    MIZAN_MODEL_CACHE=/data/models
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"
CMD ["mizan", "serve", "--host", "0.0.0.0", "--port", "8000"]
