"""Extension objects, created unbound; `create_app` binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from sharemarket.db import Base
from sharemarket.migrate_on_use import Migrations

db = SQLAlchemy(model_class=Base)
migrate = Migrations()  # Flask-Migrate, imported on first use
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
