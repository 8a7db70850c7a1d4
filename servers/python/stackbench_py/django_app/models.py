"""The lab's `world` table (docs/WORKLOADS.md). The lab creates and fills it, so Django never migrates it."""

from django.db import models


class World(models.Model):
    id = models.IntegerField(primary_key=True)
    randomnumber = models.IntegerField()

    class Meta:
        managed = False
        db_table = "world"
