"""Words for the rule editor's choices (detectors, chat types, sides, message types, field names), so the
page never shows a raw key. The engine and the database keep the keys."""

from __future__ import annotations

from typing import cast

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .engine.rules import CATEGORIES
from .models import Category

DETECTOR_LABELS: dict[str, Promise] = {
    "mobile": _("Mobile numbers"),
    "id_number": _("ID card numbers"),
    "bank_card": _("Bank card numbers"),
    "wechat_id": _("Personal WeChat ids"),
    "diversion": _("Moving customers to other accounts"),
    "payment": _("Payment to personal accounts"),
    "redpacket": _("Red packets"),
    "link": _("Links and domains"),
    "money": _("Amounts and discounts"),
    "price_policy": _("Prices beyond the price policy"),
    "dangerous_file": _("Programs and scripts sent as files"),
    "bad_link": _("Links shaped like malware downloads"),
    "abuse_model": _("Abuse model"),
    # the per-category classifier's detectors, "model:<category>"
    **{
        f"model:{v}": cast(Promise, format_lazy(_("Classifier: {category}"), category=label))
        for v, label in Category.choices
        if v in CATEGORIES  # behaviour categories have no classifier
    },
}

CHAT_TYPE_LABELS: dict[str, Promise] = {
    "single": _("Single chat"),
    "group": _("Group chat"),
    "internal": _("Internal group (staff only)"),
}

SIDE_LABELS: dict[str, Promise] = {"staff": _("Staff"), "customer": _("Customer")}

MSGTYPE_LABELS: dict[str, Promise] = {
    "text": _("Text"),
    "image": _("Image"),
    "revoke": _("Recall"),
    "agree": _("Agreed to archiving"),
    "disagree": _("Refused archiving"),
    "voice": _("Voice"),
    "video": _("Video"),
    "card": _("Contact card"),
    "location": _("Location"),
    "emotion": _("Sticker"),
    "file": _("File"),
    "link": _("Link"),
    "weapp": _("Mini program"),
    "chatrecord": _("Forwarded chat record"),
    "todo": _("To-do"),
    "vote": _("Vote"),
    "collect": _("Form"),
    "redpacket": _("Red packet"),
    "meeting": _("Meeting invitation"),
    "docmsg": _("Online document"),
    "markdown": _("Markdown"),
    "news": _("Article card"),
    "calendar": _("Calendar"),
    "mixed": _("Mixed message"),
    "meeting_voice_call": _("Meeting recording"),
    "voip_doc_share": _("Shared screen document"),
    "external_redpacket": _("Interconnected red packet"),
    "sphfeed": _("Channels video"),
    "voiptext": _("Audio or video call"),
    "qydiskfile": _("Micro-disk file"),
    "switch": _("Enterprise switch"),
}

FIELD_LABELS: dict[str, Promise] = {
    "name": _("Name"),
    "severity": _("Severity"),
    "enabled": _("Enabled"),
    "article": _("Article key"),
    "hour_start": _("From hour"),
    "hour_end": _("To hour"),
    "terms": _("Terms"),
    "patterns": _("Patterns"),
    "allow": _("Allowed phrases"),
    "detectors": _("Detectors"),
    "departments": _("Departments"),
    "members": _("Members"),
    "chat_types": _("Chat types"),
    "sides": _("Sides"),
    "msgtypes": _("Message types"),
}
