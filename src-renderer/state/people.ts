// Names of the people in the tenant, from the mirror's directory: event lines and errors name
// people by id and the reader wants a name.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { directoryQuery } from './queries';

export function useNameOf(): (id: string) => string {
  const { t } = useTranslation();
  const directory = useQuery(directoryQuery());
  return useMemo(() => {
    const names = new Map((directory.data?.users ?? []).map((u) => [u.id, u.name]));
    return (id: string) => names.get(id) ?? t('event.someone');
  }, [directory.data, t]);
}
