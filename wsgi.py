from fundtracker import create_app

app = create_app()
