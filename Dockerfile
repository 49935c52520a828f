# The portal's image: gunicorn for the web, the same image runs the Celery worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=rma_portal.settings

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 portal

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=portal:portal . .
# collectstatic needs a key but no database; the real key comes from the environment.
RUN SECRET_KEY=build-only DEBUG=false python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/media && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "rma_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket", "--timeout", "120", "--access-logfile", "-"]
