from methodics.views import access, authoring, export, library

app_name = "methodics"

# The library (list, methodic page, comments, moderators, exports) and authoring (create,
# edit, steps, media, publish) list their own routes; so does «Доступ» (roles on a methodic).
urlpatterns = [*library.urlpatterns, *authoring.urlpatterns, *export.urlpatterns, *access.urlpatterns]
