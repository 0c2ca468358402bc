"""Compare SQL and the directory both ways; report or repair drift (`manage.py reconcile`)."""
