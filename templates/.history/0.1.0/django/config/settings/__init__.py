"""Settings: `base` plus one module per profile.

- `config.settings.local`       `make dev` / manage.py default: DEBUG on, dev-only secret allowed
- `config.settings.production`  `make run` / gunicorn / Docker: DEBUG off, secret required
- `config.settings.test`        pytest (see `addopts` in pyproject.toml)
"""
