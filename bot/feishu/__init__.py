"""The Feishu (Lark) edge: commands typed in a chat answered with cards, the check-in form as a
card, and scheduled posts to Feishu chats. Only this package imports lark_oapi."""

TEAM_PREFIX = "feishu:"  # a Feishu tenant's workspace: "feishu:<tenant_key>", never mistaken for a Slack team


def team_of(tenant_key: str) -> str:
    return TEAM_PREFIX + tenant_key


def is_feishu_team(team_id: str) -> bool:
    return team_id.startswith(TEAM_PREFIX)
