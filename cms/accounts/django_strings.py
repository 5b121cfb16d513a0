"""Django's own strings that the account pages show, translated by the project's catalogues.

Django's catalogues are incomplete for some languages (Hindi lacks most password messages,
so they fell back to the default language, Spanish), use a second word for "password"
(Hindi "कूटशब्द" beside the site's "पासवर्ड", European "palavra-passe" beside the site's
Brazilian "senha"), and address Spanish visitors as "usted". LOCALE_PATHS come before
Django's own catalogues, so an entry in cms/locale/<language>/LC_MESSAGES/django.po wins.

Each msgid is written out here, exactly as Django has it, only so that `makemessages` keeps
it in the project's catalogues (tests/test_translations.py drops entries the source does not
mark). The list was found by rendering and submitting every account form with errors
(tests/accounts/test_form_languages.py checks each one in every language); when a Django
upgrade changes a msgid, that test fails until the entry here and in the catalogues follows.
"""

# ruff: noqa: RUF001 (Django's msgids, exactly: with its typographic apostrophes)

from django.utils.translation import gettext_noop, ngettext_lazy

SIGN_UP_AND_PASSWORDS = (
    # Field labels and help texts (UserCreationForm, SetPasswordForm, PasswordChangeForm)
    gettext_noop("Password"),
    gettext_noop("Password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Old password"),
    gettext_noop("New password"),
    gettext_noop("New password confirmation"),
    gettext_noop("username"),
    gettext_noop("email address"),
    gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
    # AUTH_PASSWORD_VALIDATORS: help texts and errors
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This password is entirely numeric."),
    # Form errors
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("A user with that username already exists."),
    gettext_noop(
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
        "characters."
    ),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
)

FIELDS = (
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Enter a list of values."),
    # The avatar (ImageField with ClearableFileInput)
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Please either submit a file or check the clear checkbox, not both."),
    gettext_noop("Currently"),
    gettext_noop("Change"),
    gettext_noop("Clear"),
)

# Plurals: ngettext_lazy marks both forms (never evaluated here).
PLURALS = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    # Django formats this one with a bare %d.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
)
