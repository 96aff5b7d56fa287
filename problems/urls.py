from problems.views import assignments, browsing, solving, suggestions, variants

app_name = "problems"

# Each views module lists its own routes: browsing the bank (blocks, tasks, solutions,
# handbook, favourites), answers checked and «Мои решения», variants and their exports,
# teachers' suggestions, class assignments (their pupils' pages are at /a/, config/urls.py).
urlpatterns = [
    *browsing.urlpatterns,
    *solving.urlpatterns,
    *variants.urlpatterns,
    *suggestions.urlpatterns,
    *assignments.urlpatterns,
]
