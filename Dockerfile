# ESS Help Me: one image, two commands (docker-compose.yml runs both).
#   API (the default): uvicorn api.app:app on port 8000
#   worker:            python worker.py (metrics for Prometheus on ports 9464 and 9465)
# Settings come from the environment only (configuration/settings.py); the image holds no secret.

# The back office serves chart.js, leaflet, leaflet.markercluster, topojson-client and world-atlas (the
# offline base map's countries) itself, from node_modules (api/back_office/__init__.py): installed
# here from package-lock.json, without dev dependencies.
FROM node:22-slim AS front-end-libraries
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The Python dependencies, from pyproject.toml (non-editable, no test extra), in a virtual
# environment the final image copies. Only the project's metadata is copied here, so this layer is
# rebuilt when the dependencies change, not on every code change. The code runs from /app (below),
# next to node_modules, where the back office looks for the front-end libraries.
FROM python:3.11-slim AS python-dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /build
# README.md is pyproject.toml's readme: the metadata cannot be built without it.
COPY pyproject.toml README.md ./
# The installed metadata carries pyproject.toml's version, the release: the image has no
# pyproject.toml, so a worker's default build id (ESS_BUILD_ID, Worker Deployment Versioning) comes
# from there (configuration.settings.release_version).
# Then the installers leave: nothing in the image installs packages, and the pip and setuptools
# venv brings carry known advisories.
RUN /opt/venv/bin/pip install . && /opt/venv/bin/pip uninstall --yes pip setuptools

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ESS_ENV=production
RUN groupadd --system --gid 10001 ess \
    && useradd --system --uid 10001 --gid ess --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ess
COPY --from=python-dependencies /opt/venv /opt/venv
WORKDIR /app
COPY --from=front-end-libraries /build/node_modules ./node_modules
# Only what runs: the fake LINE platform (line_simulator), the development stack (devstack), the
# benchmarks and the tests stay out.
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY orchestration ./orchestration
COPY database ./database
COPY rendering ./rendering
COPY places ./places
COPY configuration ./configuration
COPY api ./api
COPY tools ./tools
COPY worker.py ./
# Compiled once here: the code belongs to root and the application's user cannot write beside it.
RUN python -m compileall -q /app
USER ess

EXPOSE 8000 9464 9465
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
# Behind the TLS reverse proxy: the application believes X-Forwarded-For only from the addresses in
# ESS_TRUSTED_PROXIES (api/client_address.py), so uvicorn reads none of it itself. On SIGTERM,
# requests in flight get 20 s to finish.
CMD ["uvicorn", "api.app:app", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers", "--timeout-graceful-shutdown", "20"]
