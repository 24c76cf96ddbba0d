"""Names of the default rule pack, for the translation catalogue.

The pack itself (engine/data/rules/<category>.json) is pure data read without Django; pages show a rule's
name through `{% translate %}`, so built-in names read in the user's language and imported rules keep
the name they were given. A test checks that this list matches the pack.
"""

from django.utils.translation import gettext_noop

DEFAULT_RULE_NAMES = [
    gettext_noop("Absolute or superlative claims"),
    gettext_noop("Medical and efficacy promises"),
    gettext_noop("Investment-return and exam-pass promises"),
    gettext_noop("Customer ID or bank card number sent by staff"),
    gettext_noop("Phone number posted by staff in a group"),
    gettext_noop("Disclosing customer data"),
    gettext_noop("Asking for data the sale does not need"),
    gettext_noop("Disclosing company secrets"),
    gettext_noop("Moving the customer to a personal account"),
    gettext_noop("Off-book deals and payments to staff"),
    gettext_noop("Private price changes and rebates"),
    gettext_noop("Prices and discounts beyond the sender's authority"),
    gettext_noop("Insults and personal attacks by staff"),
    gettext_noop("Insults in groups"),
    gettext_noop("Advertising in customer groups"),
    gettext_noop("Ads for unrelated businesses in groups"),
    gettext_noop("Cross-group promotion"),
    gettext_noop("Personal contacts posted in groups"),
    gettext_noop("Links posted by customers in groups"),
    gettext_noop("Staff advertising in internal groups"),
    gettext_noop("Gambling, drugs, porn, weapons, fake documents (seed list)"),
    gettext_noop("Rumours that damage the company's image"),
    gettext_noop("Fabricated news about policy, money, health or disasters"),
    gettext_noop("Fabricated alarming news posted by customers in groups"),
    gettext_noop("Company resources used for personal business"),
    gettext_noop("Customer groups used for personal favours and family businesses"),
    gettext_noop("Programs, scripts and disguised archives sent as files"),
    gettext_noop("Links shaped like malware downloads"),
    gettext_noop("Cracked tools and switched-off protection"),
    gettext_noop("Disparaging competitors and infringing intellectual property"),
    gettext_noop("Counterfeit, smuggled and illegal goods"),
    gettext_noop("Counterfeit goods offered by customers in groups"),
    gettext_noop("Political content"),
    gettext_noop("Political content posted by customers in groups"),
    gettext_noop("Ethnic contempt posted by customers in groups"),
    gettext_noop("Violence, threats and terror"),
    gettext_noop("Disrespect of ethnic groups and their customs"),
    # the category classifier's rules (engine/data/model_rules.json, scripts/train_categories.py)
    gettext_noop("Classifier: false or absolute claims"),
    gettext_noop("Classifier: off-book deals"),
    gettext_noop("Classifier: advertising in groups"),
    gettext_noop("Classifier: prohibited goods and services"),
    gettext_noop("Classifier: prohibited content from customers in groups"),
    gettext_noop("Classifier: rumours"),
    gettext_noop("Classifier: rumours from customers in groups"),
    gettext_noop("Classifier: company resources for personal business"),
    gettext_noop("Classifier: unfair competition"),
    gettext_noop("Classifier: counterfeits and piracy"),
    gettext_noop("Classifier: insults by staff"),
    gettext_noop("Classifier: insults by customers in groups"),
]
