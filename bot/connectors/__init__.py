"""Reading an item's actual from outside: HTTP (CSV, JSON) and SQL, within limits, with secrets
kept encrypted. The services decide what is read when; this package only fetches."""
