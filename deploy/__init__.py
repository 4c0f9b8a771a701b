"""The local stack: its processes declared once (processes.py), run by supervisord (supervised.py, `python -m
deploy`), each through launch.py; the shell side is stack.sh and lib/."""
