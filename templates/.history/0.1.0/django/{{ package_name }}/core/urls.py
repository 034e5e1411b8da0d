from django.urls import path

from . import views

# Normally answered by HealthCheckMiddleware first; the routes keep reverse() and
# the URL map honest.
urlpatterns = [
    path("health", views.health, name="health"),
    path("health/ready", views.ready, name="health-ready"),
]
