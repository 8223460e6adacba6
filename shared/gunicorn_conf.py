"""gunicorn settings of every service's web process (`python -m services.<name> web` passes
`--config python:shared.gunicorn_conf`): JSON logs from gunicorn and the app alike.

The access line carries the request's correlation id (the X-Correlation-ID response header the app
sets), so a request can be followed from the access log to every event it caused. Other gunicorn
settings can be given without code through GUNICORN_CMD_ARGS (e.g. "--timeout 60").
"""

from __future__ import annotations

import os

_service = os.environ.get("KINERJA_SERVICE", "web")
_level = os.environ.get("LOG_LEVEL", "INFO").upper()

access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms correlation_id=%({x-correlation-id}o)s'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "shared.logs.JsonFormatter", "service": _service}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"level": _level, "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "kafka": {"level": "WARNING"},
    },
}

# No control socket in $HOME: containers run with a read-only root filesystem and need no runtime control.
control_socket_disable = True
