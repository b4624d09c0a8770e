"""The rules of the LGO fund: entitlement, officers and roles, events. Pure functions."""
