"""Existing installations: every rule's `article` key ("sales-conduct#17.1") becomes a confirmed citation of the
published version it resolves to (the version in force today, else the first one announced), source "legacy".

Keys that do not resolve (no such regulation, no published version, no such article or item) are left alone: the
rule then shows as not backed by a regulation until someone maps it on /compliance/citations/. New rules and
newly published versions are mapped by the services (`zhidu.compliance.services.citations`), not here.
"""

import re

from django.db import migrations

KEY_RE = re.compile(r"^\s*(?P<code>[a-z0-9][a-z0-9-]*)#(?P<article>\d+)(?:\.(?P<item>\d+))?\s*$")


def forwards(apps, schema_editor):
    from zhidu.core.periods import local_today

    Rule = apps.get_model("compliance", "Rule")
    RuleCitation = apps.get_model("compliance", "RuleCitation")
    Policy = apps.get_model("policies", "Policy")
    PolicyVersion = apps.get_model("policies", "PolicyVersion")
    Article = apps.get_model("policies", "Article")
    Item = apps.get_model("policies", "Item")
    today = local_today()
    versions: dict[str, object] = {}
    for rule in Rule.objects.exclude(article="").order_by("pk"):
        m = KEY_RE.match(rule.article)
        if not m:
            continue
        code = m.group("code")
        if code not in versions:
            policy = Policy.objects.filter(code=code).first()
            published = PolicyVersion.objects.filter(policy=policy, status="published") if policy else None
            versions[code] = (
                published.filter(effective_date__lte=today).order_by("-number").first()
                or published.order_by("effective_date", "number").first()
                if published is not None
                else None
            )
        version = versions[code]
        if version is None:
            continue
        article = Article.objects.filter(version=version, number=int(m.group("article"))).first()
        if article is None:
            continue
        item = None
        if m.group("item") is not None:
            item = Item.objects.filter(article=article, number=int(m.group("item"))).first()
            if item is None:
                continue
        RuleCitation.objects.get_or_create(
            rule=rule,
            version=version,
            article=article,
            item=item,
            defaults={"status": "confirmed", "source": "legacy", "score": 1.0},
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0003_rule_citations")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
