"""Pages of continuous communication, one module per capability (see urls.py)."""
