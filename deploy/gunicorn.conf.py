"""gunicorn settings for idm: `gunicorn -c deploy/gunicorn.conf.py idm.wsgi` (deploy/systemd/idm-web.service).

Options given on the command line win over these. Logs are JSON lines on stdout, like Django's.
"""

import os

bind = os.environ.get("IDM_WEB_BIND", "127.0.0.1:8000")  # only the reverse proxy talks to gunicorn
workers = int(os.environ.get("IDM_WEB_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 8))))
# threads in each worker: a request that waits (on slapd's Argon2 check, on the refusal and reset-request time
# floors of AU-04 and RS-01, which sleep) holds a thread, not a whole process. With sync workers, 20 clients'
# reset requests kept about half the workers asleep in the 200 ms floor while logins queued behind them.
worker_class = "gthread"
threads = int(os.environ.get("IDM_WEB_THREADS", "4"))  # 1: one request at a time per worker, as sync workers
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
