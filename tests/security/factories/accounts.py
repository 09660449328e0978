"""Objects of the accounts domain for the tenant-isolation matrix."""

from __future__ import annotations

from tests.security.factories import object_factory

from klankbord.accounts import services


@object_factory("location_id")
def location(ctx):
    return services.add_location(ctx.org, "AZC van organisatie A", "azc").id


@object_factory("membership_id")
def membership(ctx):
    user = ctx.make.user(ctx.org, "facilitator", name="Lid van organisatie A")
    return next(m.id for m in user.memberships if m.organisation_id == ctx.org.id)


@object_factory("token", blueprint="accounts")
def invitation_token(ctx):
    return services.invite(ctx.org, "uitgenodigd@example.org", "facilitator").token
