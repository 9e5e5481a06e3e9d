from django.urls import path

from .views import groups, tasks

urlpatterns = [
    path("tasks/", tasks.key_task_list, name="key_task_list"),
    path("tasks/matrix/", tasks.task_matrix, name="task_matrix"),
    path("tasks/<int:pk>/file/<int:quarter>/", tasks.task_report_file, name="task_report_file"),
    path("units/<int:pk>/", tasks.unit_task_reports, name="unit_task_reports"),
    path("reports/<int:pk>/", tasks.task_report_detail, name="task_report_detail"),
    path("reports/<int:pk>/return/", tasks.task_report_return, name="task_report_return"),
    path("groups/", groups.group_report_list, name="group_report_list"),
    path("groups/<int:pk>/<int:year>/<int:quarter>/", groups.group_report_detail, name="group_report_detail"),
]
