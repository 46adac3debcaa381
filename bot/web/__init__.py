"""HTTP endpoints beside Slack's: plain WSGI callables the server mounts (`bot.web.api.api_app`)."""
