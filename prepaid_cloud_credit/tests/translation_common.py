# Copyright 2026 Prepaid Cloud Credit contributors. License LGPL-3.0-or-later.
import html
import re

import polib

from odoo.modules.module import get_module_path

# Where the English labels of the portal come from, in a po file's references:
# the portal templates, the strings the controllers pass to them, and the
# selection labels the pages show.
PORTAL_REFERENCES = re.compile(
    r"model_terms:ir\.ui\.view,arch_db:(?P<addon>\w+)\.portal_"
    r"|code:addons/(?P<code_addon>\w+)/controllers/"
    r"|model:ir\.model\.fields\.selection,name:"
)
TAG = re.compile(r"<[^>]*>")
# Odoo's portal chrome and the account and payment pages ours sit in: their
# Italian terms are loaded too, so that an English word of theirs that is
# also one of our labels ("Amount", "Date") does not pass for ours.
ODOO_MODULES = ("base", "web", "portal", "payment", "account", "account_payment")


def visible_text(markup):
    """The text a reader sees in ``markup``: no tags, entities decoded, spaces collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return " ".join(html.unescape(TAG.sub(" ", markup)).split())


class PortalTranslationCommon:
    """Render portal pages for an Italian customer and look for our English labels.

    Mixed with ``HttpCase`` and a common class of the addon. The labels are the
    msgids of the addon's ``it.po`` that come from its portal templates, its
    controllers and its selections and that have an Italian translation
    different from the English: none of them may be seen on an Italian page.
    """

    LANG = "it_IT"
    # The addons whose English labels the pages must not show.
    ADDONS = ("prepaid_cloud_credit",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_translations(cls.ADDONS)

    @classmethod
    def _activate_translations(cls, addons):
        """Activate Italian and load its terms for ``addons``, the other installed
        addons of ours and the Odoo pages they extend."""
        cls.env["res.lang"]._activate_lang(cls.LANG)
        # every installed addon of ours: their tiles and blocks sit on the pages of the others
        installed = cls.env["ir.module.module"].search([
            ("state", "=", "installed"),
            "|", ("name", "in", [*ODOO_MODULES, *addons]), ("name", "=like", "prepaid_cloud_credit%"),
        ])
        installed._load_module_terms(installed.mapped("name"), [cls.LANG], overwrite=True)

    @classmethod
    def _english_portal_labels(cls, addon):
        """Return the English labels of ``addon`` that Italian users must never read.

        :param str addon: technical name of the addon
        :return: set of msgids, without their markup
        """
        entries = polib.pofile(f"{get_module_path(addon)}/i18n/it.po")
        # the translation of a label may contain another label word for word
        # (a brand, a code): such words read the same in both languages
        italian = " ".join(visible_text(entry.msgstr) for entry in entries)
        labels = set()
        for entry in entries:
            if not entry.translated() or entry.msgstr == entry.msgid:
                continue
            if not any(PORTAL_REFERENCES.search(occurrence) for occurrence, _line in entry.occurrences):
                continue
            text = visible_text(entry.msgid)
            # a label with a placeholder is looked for by its fixed words only
            for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", text):
                part = part.strip(" .,:;()")
                # single letters and numbers read the same in both languages
                if len(part) > 2 and re.search(r"[A-Za-z]{3}", part) and part not in italian:
                    labels.add(part)
        return labels

    def page(self, url, **data):
        """Return the HTML of ``url``, posted with ``data`` when given (through
        the ``post`` of the test's common class), asserting that it is served."""
        response = self.post(url, **data) if data else self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response.text

    def assertPagesInItalian(self, *urls):
        """Assert that each page of ``urls`` is served and shows no English
        label of ``ADDONS``.

        :return: the HTML of the last page
        """
        page = ""
        for url in urls:
            page = self.page(url)
            self.assertNoEnglishLabels(page, self.ADDONS)
        return page

    def assertNoEnglishLabels(self, page, addons):
        """Assert that no English label of ``addons`` is visible in the HTML ``page``."""
        text = visible_text(page)
        found = sorted(
            label
            for addon in addons
            for label in self._english_portal_labels(addon)
            if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)
        )
        where = [
            text[max(match.start() - 40, 0):match.end() + 40]
            for label in found
            for match in [re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]
        ]
        self.assertFalse(found, f"English labels on an Italian page: {found} in {where}")



class CustomerPortalTranslationCommon(PortalTranslationCommon):
    """:class:`PortalTranslationCommon` for the pages of the customer of
    ``PrepaidPortalCommon`` (mixed with it, or a class built on it, and
    ``HttpCase``): that customer reads Italian and is logged in for each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_user.lang = cls.LANG

    def setUp(self):
        super().setUp()
        self.login(self.customer_user)
