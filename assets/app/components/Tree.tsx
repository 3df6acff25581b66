import { useState } from 'preact/hooks'
import type { TreeNode } from '../lib/tree'
import { Icon } from './Icon'

/** A file tree; folders on the selected path start open. Keyboard: Tab through, Enter opens. */
export function Tree({ nodes, selected, onSelect, label }: { nodes: TreeNode[]; selected: string; onSelect: (path: string) => void; label: string }) {
  return (
    <ul class="tree" aria-label={label}>
      {nodes.map((n) => (
        <TreeItem key={n.path} node={n} selected={selected} onSelect={onSelect} />
      ))}
    </ul>
  )
}

function TreeItem({ node, selected, onSelect }: { node: TreeNode; selected: string; onSelect: (path: string) => void }) {
  const [open, setOpen] = useState(() => selected.startsWith(`${node.path}/`))
  if (!node.isDir) {
    return (
      <li>
        <button type="button" class={`tree-item${selected === node.path ? ' active' : ''}`} aria-current={selected === node.path ? 'true' : undefined} onClick={() => onSelect(node.path)} title={node.path}>
          <Icon name="file" size={15} />
          {node.name}
        </button>
      </li>
    )
  }
  return (
    <li>
      <button type="button" class="tree-item" aria-expanded={open} onClick={() => setOpen(!open)} title={node.path}>
        <Icon name="folder" size={15} />
        {node.name}
      </button>
      {open && node.children.length ? (
        <ul>
          {node.children.map((c) => (
            <TreeItem key={c.path} node={c} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      ) : null}
    </li>
  )
}
