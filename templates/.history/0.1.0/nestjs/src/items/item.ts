/** An item as the API returns it. */
export interface Item {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

/** What the service hands to a repository to store. */
export interface NewItem {
  name: string;
  description: string | null;
}
