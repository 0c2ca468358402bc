"""gunicorn settings for idm: `gunicorn -c deploy/gunicorn.conf.py idm.wsgi` (deploy/systemd/idm-web.service).

Options given on the command line win over these. Logs are JSON lines on stdout, like Django's.
"""

import os

bind = os.environ.get("IDM_WEB_BIND", "127.0.0.1:8000")  # only the reverse proxy talks to gunicorn
# sync workers: a request that waits on the directory holds one worker, so keep a few spare
workers = int(os.environ.get("IDM_WEB_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 8))))
timeout = 60  # the slowest page (an export) stays well under it; a stuck worker is replaced
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then, so a slow leak never grows unbounded
max_requests_jitter = 200
forwarded_allow_ips = "127.0.0.1,::1"
# systemd starts, reloads (HUP) and stops it; no control socket in the service user's home
control_socket_disable = True

accesslog = "-"
access_log_format = '"%(r)s" %(s)s %(B)s'  # the JSON line carries the fields one by one as well
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "idm.jsonlog.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
