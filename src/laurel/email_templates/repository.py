from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import EmailTemplate, Group


class EmailTemplateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _of_organization(self, organization_id: str) -> Select[EmailTemplate]:
        return select(EmailTemplate).where(EmailTemplate.organization_id == organization_id)

    async def get(self, organization_id: str, template_id: str) -> EmailTemplate | None:
        return await self.session.scalar(
            self._of_organization(organization_id).where(EmailTemplate.id == template_id)
        )

    async def list_page(
        self, organization_id: str, params: PageParams
    ) -> PageResult[EmailTemplate]:
        return await paginate(
            self.session, self._of_organization(organization_id), EmailTemplate.id, params
        )

    def add(self, template: EmailTemplate) -> None:
        self.session.add(template)

    async def delete(self, template: EmailTemplate) -> None:
        await self.session.delete(template)

    async def is_used_by_a_group(self, template_id: str) -> bool:
        statement = select(Group.id).where(Group.email_template_id == template_id).limit(1)
        return (await self.session.scalar(statement)) is not None
