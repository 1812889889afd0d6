"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

# Start-up makes some 140,000 objects that live as long as the process (modules, classes, mappers,
# URL rules). The cyclic garbage collector would scan them over and over while they are made (a
# tenth of a second of every start-up) and again in each full collection after: it is off while
# they are made, then they are frozen, never scanned again, as Python's documentation advises for
# a server that forks its workers. The few hundred objects the start-up drops are left (some KB).
gc.disable()
try:
    from sharemarket import create_app

    app = create_app()
finally:
    gc.freeze()
    gc.enable()
