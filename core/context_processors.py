from django.conf import settings


def portal(request):
    return {
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
        "service_address": settings.SERVICE_ADDRESS,
    }
