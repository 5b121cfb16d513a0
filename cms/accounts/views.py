"""Sign-up, sign-in and the profile page. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy, translate_url
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import FormView, TemplateView

from cms.accounts import emails, personal_data
from cms.accounts.forms import (
    ApiKeyForm,
    DeleteAccountForm,
    PreferencesForm,
    ProfileForm,
    SignInForm,
    SignupForm,
)
from cms.accounts.models import ApiKey, PendingSignup, profile_for
from cms.robots.forms import RobotForm
from cms.robots.models import Robot
from cms.robots.my_robots import my_robots_context

SESSION_NEW_KEY = "accounts_new_key"
SESSION_DELETED = "accounts_deleted"  # set after an account deletion, for the page that says so
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def url_in_language(code: str, viewname: str, **kwargs: Any) -> str:
    with translation.override(code):
        return reverse(viewname, kwargs=kwargs or None)


def remember_language(response: HttpResponse, code: str) -> HttpResponse:
    """The same cookie the language selector sets, so `/` and later visits follow it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # stubs: a str setting
        httponly=False,
    )
    return response


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    @method_decorator(never_cache)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("accounts:profile")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignupForm) -> HttpResponse:
        form.send(self.request)  # the same answer whether or not the address has an account
        return HttpResponseRedirect(reverse("accounts:signup_sent"))


@method_decorator(never_cache, name="dispatch")
class SignupSentView(TemplateView):
    template_name = "accounts/signup_sent.html"


@method_decorator(never_cache, name="dispatch")
class SignupConfirmView(TemplateView):
    """The emailed link: a page with a button, and the account is created by its POST (mail
    scanners that open links must not create accounts or get signed in)."""

    template_name = "accounts/signup_confirm.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["pending"] = PendingSignup.objects.for_token(kwargs["token"])
        return context

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        pending = PendingSignup.objects.for_token(token)
        if pending is None:
            return self.get(request, token=token)
        try:
            user = pending.create_account()
        except ValidationError as error:
            return self.render_to_response({"pending": None, "problem": " ".join(error.messages)})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        with translation.override(pending.language):
            messages.success(request, _("Welcome to Croody! Your account is ready."))
        response = HttpResponseRedirect(url_in_language(pending.language, "accounts:profile"))
        return remember_language(response, pending.language)


class LoginView(auth_views.LoginView):
    """Django's sign-in, then into the user's preferred language (cookie included)."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        login(self.request, form.get_user())
        language = profile_for(form.get_user()).language
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        next_url = self.get_redirect_url()  # empty unless safe
        if next_url:
            destination = translate_url(next_url, language)
        else:
            destination = url_in_language(language, "accounts:profile")
        return remember_language(HttpResponseRedirect(destination), language)


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        return f"/{translation.get_language() or settings.LANGUAGE_CODE}/"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever controls the mailbox may sign in again at once: lift any sign-in lock.
        if self.user is not None:  # the form was valid, so the link named a user
            reset_login_failures(username=self.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- The profile page: three forms, each with its own POST ---------------------------------


def _render_profile(request: HttpRequest, **bound_forms: Any) -> HttpResponse:
    user = request.user
    profile = profile_for(user)
    new_key = request.session.pop(SESSION_NEW_KEY, None) if request.method == "GET" else None
    context = {
        "profile": profile,
        "profile_form": bound_forms.get("profile_form") or ProfileForm(instance=profile),
        "preferences_form": bound_forms.get("preferences_form")
        or PreferencesForm(instance=profile),
        "robot_form": bound_forms.get("robot_form") or RobotForm(owner=user),
        "key_form": bound_forms.get("key_form") or ApiKeyForm(user=user),
        "robots": Robot.objects.owned_by(user),
        "api_keys": ApiKey.objects.for_user(user).select_related("robot"),
        "new_key": new_key,
        **my_robots_context(user),
    }
    return render(request, "accounts/profile.html", context)


def _back_to_profile(anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("accounts:profile") + (f"#{anchor}" if anchor else ""))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@never_cache
@login_required
@require_POST
def profile_details(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST, request.FILES, instance=profile_for(request.user))
    if not form.is_valid():
        return _render_profile(request, profile_form=form)
    old_avatar = form.initial.get("avatar")
    profile = form.save()
    if old_avatar and old_avatar.name and old_avatar.name != (profile.avatar.name or ""):
        old_avatar.storage.delete(old_avatar.name)  # replaced or cleared: drop the old file
    messages.success(request, _("Your profile has been saved."))
    return _back_to_profile("profile")


@never_cache
@login_required
@require_POST
def profile_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST, instance=profile_for(request.user))
    # The header's theme controls save here with fetch() (theme.js): JSON, no page, no message.
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return _render_profile(request, preferences_form=form)
    profile = form.save()
    if wants_json:
        return JsonResponse(profile.preferences)
    with translation.override(profile.language):
        messages.success(request, _("Your preferences have been saved."))
        destination = reverse("accounts:profile") + "#preferences"
    return remember_language(HttpResponseRedirect(destination), profile.language)


@never_cache
@login_required
@require_POST
def robot_create(request: HttpRequest) -> HttpResponse:
    form = RobotForm(request.POST, owner=request.user)
    if not form.is_valid():
        return _render_profile(request, robot_form=form)
    robot = form.save()
    messages.success(
        request,
        _("Robot “%(name)s” registered. Its id is %(robot_id)s.")
        % {"name": robot.name, "robot_id": robot.robot_id},
    )
    return _back_to_profile("tokens")


@never_cache
@login_required
@require_POST
def key_create(request: HttpRequest) -> HttpResponse:
    robot_value = request.POST.get(f"{ApiKeyForm.prefix}-robot", "")
    if robot_value and not (
        robot_value.isdigit()
        and Robot.objects.owned_by(request.user).filter(pk=robot_value).exists()
    ):
        raise Http404  # not one of the user's robots: nobody else's robot is revealed
    form = ApiKeyForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_profile(request, key_form=form)
    api_key, full_key = form.save()
    # Shown once, on the next page only: popped from the (server-side) session when shown.
    request.session[SESSION_NEW_KEY] = {"key": full_key, "prefix": api_key.prefix}
    messages.success(request, _("API key %(prefix)s created.") % {"prefix": api_key.prefix})
    return _back_to_profile("new-key")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey.objects.select_related("robot"), pk=pk, user=request.user)
    if request.method == "POST":
        if api_key.revoke():
            messages.success(request, _("API key %(prefix)s revoked.") % {"prefix": api_key.prefix})
        else:
            messages.info(
                request, _("API key %(prefix)s was already revoked.") % {"prefix": api_key.prefix}
            )
        return _back_to_profile("tokens")
    return render(request, "accounts/revoke_key.html", {"api_key": api_key})


# --- Robots: rename, delete --------------------------------------------------------------


def _own_robot(request: HttpRequest, pk: int) -> Robot:
    """One of the user's robots; 404 for anyone else's, so nobody's robot is revealed."""
    return get_object_or_404(Robot.objects.owned_by(request.user), pk=pk)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def robot_rename(request: HttpRequest, pk: int) -> HttpResponse:
    robot = _own_robot(request, pk)
    old_name = robot.name
    form = RobotForm(request.POST or None, instance=robot, owner=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(
                request,
                _("Robot “%(old)s” renamed “%(name)s”. Its id stays %(robot_id)s.")
                % {"old": old_name, "name": robot.name, "robot_id": robot.robot_id},
            )
            return _back_to_profile("tokens")
        robot.name = old_name  # the page names the robot as it still is
    status = 400 if form.errors else 200
    context = {"robot": robot, "form": form}
    return render(request, "accounts/robot_rename.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def robot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    robot = _own_robot(request, pk)
    if request.method == "POST":
        try:
            personal_data.delete_robot(robot)
        except personal_data.TelemetryUnavailable:
            messages.error(
                request,
                _(
                    "The robot's readings cannot be deleted right now, so the robot is kept "
                    "(its keys are already revoked). Please try again in a few minutes."
                ),
            )
        else:
            messages.success(
                request,
                _("Robot “%(name)s” deleted, with its API keys and its readings.")
                % {"name": robot.name},
            )
        return _back_to_profile("tokens")
    context = {"robot": robot, "api_keys": ApiKey.objects.filter(robot=robot).active()}
    return render(request, "accounts/robot_delete.html", context)


# --- Your data: download it, delete the account ------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def data_export(request: HttpRequest) -> HttpResponseBase:
    """A ZIP of everything the site keeps about the user, their robots' readings included."""
    try:
        archive = personal_data.archive_file(request.user)
    except personal_data.TelemetryUnavailable:
        messages.error(
            request,
            _(
                "Your robots' readings cannot be fetched right now, so no download was made. "
                "Please try again in a few minutes."
            ),
        )
        return _back_to_profile("your-data")
    filename = f"croody-data-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )


@never_cache
@login_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirmed by the password; then signed out, told so in their language, and emailed."""
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    problem = ""
    status = 200
    if user.is_staff:
        # An editor's or an admin's account is closed by another administrator, who can
        # hand over what it owns in the admin first.
        problem = _("Staff accounts are deleted by an administrator, not from the profile.")
        status = 403
    elif request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            language = profile_for(user).language
            if language not in LANGUAGE_CODES:
                language = settings.LANGUAGE_CODE
            email, username = user.email, user.get_username()  # type: ignore[union-attr]  # login_required
            try:
                personal_data.delete_account(user)
            except personal_data.OpenOrders as error:
                problem = _(
                    "Orders %(references)s are paid and not shipped yet: we still need your "
                    "address to deliver them. You can delete your account once they have "
                    "shipped."
                ) % {"references": ", ".join(error.references)}
                status = 409
            except personal_data.TelemetryUnavailable:
                problem = _(
                    "Your robots' readings cannot be deleted right now, so your account is kept "
                    "(its API keys are already revoked). Please try again in a few minutes."
                )
                status = 503
            else:
                logout(request)
                emails.send_account_deleted(email=email, username=username, language=language)
                request.session[SESSION_DELETED] = True  # nothing of theirs: it says so only
                response = HttpResponseRedirect(url_in_language(language, "accounts:deleted"))
                return remember_language(response, language)
    context = {"form": form, "problem": problem, "is_staff": user.is_staff}
    return render(request, "accounts/account_delete.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
def account_deleted(request: HttpRequest) -> HttpResponse:
    """Right after a deletion only: anyone else is sent home."""
    if not request.session.get(SESSION_DELETED):
        return HttpResponseRedirect(f"/{translation.get_language() or settings.LANGUAGE_CODE}/")
    return render(request, "accounts/account_deleted.html")
