# incidentdb API image: slim, non-root, serves on :8000.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install --upgrade pip && pip install .  && pip uninstall -y incidentdb

COPY app ./app
COPY migrations ./migrations
COPY alembic.ini ./
COPY seeds ./seeds
# Editable install: migrations/ and seeds/ are found next to the package (app/settings.py).
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin incidentdb \
    && mkdir -p /data && chown incidentdb /data

USER incidentdb
# SQLite by default (in a volume); docker-compose.yml points DATABASE_URL at PostgreSQL.
ENV DATABASE_URL=sqlite:////data/incidentdb.sqlite3
EXPOSE 8000
VOLUME ["/data"]

HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]

# Migrate and load the seeds (idempotent), then serve.
CMD ["sh", "-c", "incidentdb ingest && exec incidentdb serve --host 0.0.0.0 --port 8000"]
