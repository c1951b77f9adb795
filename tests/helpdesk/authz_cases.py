from tests.authz import Access, Case

CASES = {
    # The accessibility statement: public, shows no data.
    "accessibility": Case(Access.PUBLIC, post=False),
    # Health (deploy): public on purpose (load balancers, the image's HEALTHCHECK); shows
    # only OK or the failing service's name, never data.
    "health": Case(Access.PUBLIC, post=False),
    "health-live": Case(Access.PUBLIC, post=False),
}
