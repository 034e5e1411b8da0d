from django.urls import path

from . import views

# Mounted under "api/" in config/urls.py. No trailing slash, so no redirects.
urlpatterns = [
    path("items", views.ItemList.as_view(), name="item-list"),
    path("items/<int:pk>", views.ItemDetail.as_view(), name="item-detail"),
]
