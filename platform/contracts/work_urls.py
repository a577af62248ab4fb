from contracts import work_views  # noqa: F401  (the work views join here)

urlpatterns: list = []
