"""Under each language prefix: /<lang>/account/…"""

from django.urls import path

from cms.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/sent/", views.SignupSentView.as_view(), name="signup_sent"),
    path("signup/confirm/<str:token>/", views.SignupConfirmView.as_view(), name="signup_confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/details/", views.profile_details, name="profile_details"),
    path("profile/preferences/", views.profile_preferences, name="profile_preferences"),
    path("profile/robots/", views.robot_create, name="robot_create"),
    path("profile/keys/", views.key_create, name="key_create"),
    path("profile/keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("profile/robots/<int:pk>/rename/", views.robot_rename, name="robot_rename"),
    path("profile/robots/<int:pk>/delete/", views.robot_delete, name="robot_delete"),
    path("profile/data/", views.data_export, name="data_export"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path("deleted/", views.account_deleted, name="deleted"),
]
