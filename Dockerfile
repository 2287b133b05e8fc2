# One image, two processes (web or worker). Migrations are an explicit step:
#   docker run IMAGE flask db upgrade
#   docker run -p 5001:5001 IMAGE                    # gunicorn, gevent worker
#   docker run IMAGE python -m api.worker             # RQ worker (also sweeps lost workflow runs)
#   docker run IMAGE rq worker --url "$REDIS_URL" workflows   # works too (the job builds the app itself)
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=api.app:create_app BIND=0.0.0.0:5001
WORKDIR /app
# the code-node sandbox: bubblewrap + libseccomp + setpriv/prlimit. Code nodes also need user
# namespaces inside the container (e.g. `docker run --security-opt seccomp=unconfined`); without them
# they fail with a clear error instead of running unconfined.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap libseccomp2 util-linux \
    && rm -rf /var/lib/apt/lists/*
COPY setup.cfg setup.py README.md ./
COPY api ./api
COPY controllers ./controllers
COPY services ./services
COPY models ./models
COPY core ./core
COPY jobs ./jobs
COPY migrations ./migrations
COPY deploy ./deploy
COPY web/static ./web/static
COPY web/templates ./web/templates
RUN pip install --no-cache-dir . && useradd --create-home app && mkdir -p /app/instance && chown app /app/instance
USER app
EXPOSE 5001
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "api.wsgi:app"]
