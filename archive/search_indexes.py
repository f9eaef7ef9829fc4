"""What haystack indexes. Only published reports are ever in the index."""

from haystack import indexes

from .models import Report


class ReportIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    headline = indexes.CharField(model_attr="headline")
    pub_date = indexes.DateField(model_attr="pub_date", null=True)

    def get_model(self):
        return Report

    def index_queryset(self, using=None):
        return self.get_model().objects.published()
