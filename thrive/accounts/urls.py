from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from thrive.accounts import admin_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("two-factor/", views.two_factor_view, name="two-factor"),
    path("two-factor/setup/", views.two_factor_setup_view, name="two-factor-setup"),
    path("reauthenticate/", views.reauthenticate_view, name="reauthenticate"),
    path("logout/", views.logout_view, name="logout-confirm"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.jinja",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.jinja"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.jinja",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.jinja"),
        name="password_reset_complete",
    ),
    path("admin/", admin_views.admin_home, name="admin-home"),
    path("admin/organisations/new/", admin_views.organisation_edit, name="admin-organisation-new"),
    path("admin/organisations/<slug:slug>/", admin_views.organisation_edit, name="admin-organisation"),
    path("admin/organisations/<slug:slug>/keys/", admin_views.api_keys, name="admin-api-keys"),
    path("admin/keys/<int:key_id>/revoke/", admin_views.revoke_key, name="admin-api-key-revoke"),
    path("admin/users/new/", admin_views.user_edit, name="admin-user-new"),
    path("admin/users/<int:user_id>/", admin_views.user_edit, name="admin-user"),
    path(
        "admin/users/<int:user_id>/memberships/new/", admin_views.membership_new, name="admin-membership-new"
    ),
    path(
        "admin/memberships/<int:membership_id>/end/", admin_views.membership_end, name="admin-membership-end"
    ),
]
