"""gunicorn settings for flask-gunicorn and django-gunicorn (read from the cwd, servers/python, by default).

The lab passes --workers, --worker-class, --threads and --bind on the command line; this file holds the
rest of a production configuration, following gunicorn's "Settings" and "Deploying" docs.
"""

import ctypes
import os
import signal
import sys

# No access log: the contract says nothing is logged per request (gunicorn's default, stated explicitly).
accesslog = None
# Errors and lifecycle messages to stderr, where the lab keeps the last lines of a failed stack.
errorlog = "-"
loglevel = "warning"

# The workers' heartbeat files live in memory, not on disk (gunicorn docs: "use /dev/shm" where /tmp may
# be disk-backed); nothing of the server is written to disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Clients connect directly (no nginx in front), so gthread workers keep connections alive between
# requests; gunicorn's docs suggest 1-5 s for servers facing clients directly. Sync workers ignore it.
keepalive = 5

# A sync worker reports to the master only between requests, so `timeout` bounds the longest request:
# a /stream lasts up to 60 s (n * interval <= 60000 ms), hence 90 s. Everything else is far shorter.
timeout = 90
graceful_timeout = 10


def post_fork(server, worker):
    """Make the kernel stop a worker as soon as the master dies, whatever kills the master.

    gunicorn's own check (worker.ppid != os.getppid()) runs only between accept() waits, which for
    sync workers is every timeout/2 = 45 s; the lab must never leave a stray worker behind.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    # The master may have died between fork() and prctl(): then nobody would send the signal.
    if os.getppid() != worker.ppid:
        os.kill(os.getpid(), signal.SIGTERM)
