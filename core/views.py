from django.http import HttpResponse, JsonResponse


def home(request):
    return HttpResponse("placeholder")


def healthz(request):
    return JsonResponse({"status": "ok"})
