/** A flat list of `{path, is_dir}` entries as a nested tree (directories first, then by name). */
export interface TreeNode {
  name: string
  path: string
  isDir: boolean
  children: TreeNode[]
}

export function buildTree(entries: Array<{ path: string; is_dir: boolean }>): TreeNode[] {
  const root: TreeNode = { name: '', path: '', isDir: true, children: [] }
  const byPath = new Map<string, TreeNode>([['', root]])
  const ensure = (path: string, isDir: boolean): TreeNode => {
    const existing = byPath.get(path)
    if (existing) {
      if (isDir) existing.isDir = true
      return existing
    }
    const cut = path.lastIndexOf('/')
    const parent = ensure(cut < 0 ? '' : path.slice(0, cut), true)
    const node: TreeNode = { name: path.slice(cut + 1), path, isDir, children: [] }
    parent.children.push(node)
    byPath.set(path, node)
    return node
  }
  for (const e of entries) {
    const path = e.path.replace(/^\/+|\/+$/g, '')
    if (path) ensure(path, e.is_dir)
  }
  const sort = (nodes: TreeNode[]) => {
    nodes.sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1))
    for (const n of nodes) sort(n.children)
  }
  sort(root.children)
  return root.children
}
