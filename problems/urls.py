from problems.views import browsing, suggestions, variants

app_name = "problems"

# Each views module lists its own routes: browsing the bank (blocks, tasks, solutions,
# handbook, favourites), variants and their exports, teachers' suggestions.
urlpatterns = [*browsing.urlpatterns, *variants.urlpatterns, *suggestions.urlpatterns]
