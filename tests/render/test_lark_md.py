"""Feishu's card markdown (lark_md): the same templates, bold as **…**, Feishu people mentioned
by open_id, and nothing a user typed can become a tag, a link, emphasis or a mention."""


from bot.domain.views import Person
from bot.render.text import Renderer, escape_lark_md
from bot.services.results import ItemArchived, RoleSet


def test_typed_text_cannot_link_ping_or_format():
    hostile = "[pay here](http://evil.example) **urgent** <at id=all></at> ~gone~ `code` & co"
    out = escape_lark_md(hostile)
    for forbidden in ("[pay", "](", "**", "<at", "~gone~", "`code`"):
        assert forbidden not in out
    assert "&amp; co" in out


def test_replies_in_lark_md_bold_and_mention_feishu_people():
    renderer = Renderer()
    archived = renderer.result(ItemArchived("O1", "[x](http://evil) <at id=all></at>"), "en", "lark_md")
    assert "http://evil" in archived and "](" not in archived and "<at id=all>" not in archived
    role = renderer.result(RoleSet(Person("ou_7d8a6e6df7621556ce0d21922b676706cc", "alice"), "manager"), "zh-CN", "lark_md")
    assert "<at id=ou_7d8a6e6df7621556ce0d21922b676706cc></at>" in role
    slack_person = renderer.result(RoleSet(Person("UALICE", "alice"), "manager"), "en", "lark_md")
    assert "@alice" in slack_person and "<@UALICE>" not in slack_person
