"""The chain tree's node form (reviewers): a leading industry, a chain or a link."""

from __future__ import annotations

from django import forms

from groups.models import SpecialGroup

from .models import ChainNode, Level


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, node: ChainNode) -> str:
        return f"{node.label}（{node.get_level_display()}）"


class ChainNodeForm(forms.ModelForm):
    """A node's name, place and group. The level is chosen once, when the node is added."""

    parent = NodeChoiceField(label="上级", queryset=ChainNode.objects.none(), required=False, empty_label="（无：主导产业）")

    class Meta:
        model = ChainNode
        fields = ["level", "name", "parent", "position", "group", "sort_order", "is_active"]
        help_texts = {
            "name": "同一上级下名称不能重复；改名后下级节点随之更新。",
            "position": "只有环节才有上游、中游、下游之分。",
            "group": "不选则沿用上级的专项招商组。",
            "is_active": "停用的节点及其下级不再出现在产业链图谱和选项中，已有记录保留。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = ChainNode.objects.exclude(level=Level.LINK).exclude(pk=self.instance.pk)
        self.fields["group"].queryset = SpecialGroup.objects.order_by("number")
        self.fields["group"].empty_label = "（沿用上级）"
        self.fields["position"].choices = [("", "（无）"), *self.fields["position"].choices[1:]]
        if self.instance.pk:
            self.fields["level"].disabled = True
            self.fields["level"].help_text = "层级在新增时确定，之后不能修改。"

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        level, parent = cleaned.get("level"), cleaned.get("parent")
        if level == Level.LINK and not cleaned.get("position"):
            self.add_error("position", "环节须注明位于上游、中游还是下游。")
        if level and level != Level.LINK:
            cleaned["position"] = ""
        if not cleaned.get("group") and parent is not None:
            cleaned["group"] = parent.group
        return cleaned
