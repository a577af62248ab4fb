# Safetynet's one image. docker-compose.yml runs it four ways: web (gunicorn, the
# default command), worker (db_worker), scheduler (run_sweeps) and the one-shot
# migrate service. docs/operations.md describes the shape.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# gettext gives msgfmt to compilemessages; Pango and a CJK font let WeasyPrint print
# contracts in Chinese. No compiler: every locked package ships a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*

# uv from PyPI, like the Makefile's fallback; it installs exactly what uv.lock pins.
RUN pip install "uv>=0.9,<1"

RUN groupadd --system safetynet \
    && useradd --system --gid safetynet --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin safetynet

WORKDIR /app

# Dependencies before the code, so that a code change reuses this layer.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --locked --no-dev --no-install-project

COPY . .

ENV PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings \
    PYTHONPATH=/app/platform:/app \
    SAFETYNET_VAR_DIR=/data

# The catalogues are compiled into the image (the code is read-only at run time).
# Importing the settings here needs no environment: the embedded default loads.
RUN python manage.py compilemessages --ignore=.venv --ignore=.tools -v0

# /data holds SQLite (if used), private media, public media and collected static files.
# Created here with this owner so that a named volume mounted on it starts writable.
RUN mkdir -p /data && chown safetynet:safetynet /data

USER safetynet
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--chdir", "/app", "--pythonpath", "/app/platform,/app", \
     "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--logger-class", "core.log_redaction.AccessLogger", \
     "--timeout", "60"]
