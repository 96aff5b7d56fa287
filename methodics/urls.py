from methodics.views import authoring, export, library

app_name = "methodics"

# The library (list, methodic page, comments, moderators, exports) and authoring (create,
# edit, steps, media, publish) list their own routes.
urlpatterns = [*library.urlpatterns, *authoring.urlpatterns, *export.urlpatterns]
