"""stackbench reference servers for Python: Flask, Django and FastAPI on the same workload contract."""
