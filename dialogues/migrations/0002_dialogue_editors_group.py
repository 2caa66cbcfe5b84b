from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Dialogue editors"
ACTIONS = ("add", "change", "delete")


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations have run; create this
    # app's now so that the group can hold them on a fresh database.
    app_config = apps.get_app_config("dialogues")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    permissions = [
        permission
        for permission in Permission.objects.filter(content_type__app_label="dialogues")
        if permission.codename.split("_", 1)[0] in ACTIONS
    ]
    group.permissions.add(*permissions)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dialogues", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
