# Read by `flask` (python-dotenv) when run from the checkout: the app factory to load.
FLASK_APP=api.app:create_app
