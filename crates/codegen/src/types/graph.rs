//! Strongly connected components of the graph of named schemas, in time linear in its size.
//!
//! Two questions about schemas are questions about cycles: whether a field must be boxed (its
//! type reaches back to the struct without indirection) and whether an alias can exist at all
//! (`pub type A = Vec<A>;` cannot). Both are answered from the components, which a chain of
//! thousands of references computes in one pass instead of one walk per schema.

/// The strongly connected components of a directed graph given as adjacency lists: the
/// component of each node, and whether each component holds a cycle (more than one node, or
/// a node with an edge to itself). Tarjan's algorithm, with an explicit stack so that a chain
/// of any length does not overflow the thread's stack. Components are numbered in reverse
/// topological order: edges lead from a component only to itself or to lower numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Components {
    /// The component of each node.
    component: Vec<usize>,
    /// Whether each component contains a cycle.
    cyclic: Vec<bool>,
}

impl Components {
    /// Computes the components of `edges` (`edges[node]` lists the nodes it points to; indices
    /// out of range are ignored).
    pub(crate) fn new(edges: &[Vec<usize>]) -> Self {
        const UNVISITED: usize = usize::MAX;
        let count = edges.len();
        let mut index = vec![UNVISITED; count];
        let mut low = vec![0; count];
        let mut on_stack = vec![false; count];
        let mut stack = Vec::new();
        let mut component = vec![UNVISITED; count];
        let mut sizes: Vec<usize> = Vec::new();
        let mut next_index = 0;
        // (node, position in its edge list) frames of the depth-first search.
        let mut frames: Vec<(usize, usize)> = Vec::new();
        for root in 0..count {
            if index[root] != UNVISITED {
                continue;
            }
            frames.push((root, 0));
            index[root] = next_index;
            low[root] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(frame) = frames.last_mut() {
                let (node, position) = *frame;
                if let Some(&next) = edges[node].get(position) {
                    frame.1 += 1;
                    if next >= count {
                        continue;
                    }
                    if index[next] == UNVISITED {
                        index[next] = next_index;
                        low[next] = next_index;
                        next_index += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        frames.push((next, 0));
                    } else if on_stack[next] {
                        low[node] = low[node].min(index[next]);
                    }
                    continue;
                }
                frames.pop();
                if let Some(&(parent, _)) = frames.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == index[node] {
                    let id = sizes.len();
                    let mut size = 0;
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component[member] = id;
                        size += 1;
                        if member == node {
                            break;
                        }
                    }
                    sizes.push(size);
                }
            }
        }
        let mut cyclic: Vec<bool> = sizes.iter().map(|&size| size > 1).collect();
        for (node, targets) in edges.iter().enumerate() {
            if targets.contains(&node) {
                cyclic[component[node]] = true;
            }
        }
        Components { component, cyclic }
    }

    /// The component of a node (see the order above).
    pub(crate) fn component(&self, node: usize) -> Option<usize> {
        self.component.get(node).copied()
    }

    /// How many components there are.
    pub(crate) fn count(&self) -> usize {
        self.cyclic.len()
    }

    /// Whether two nodes reach each other.
    pub(crate) fn together(&self, first: usize, second: usize) -> bool {
        self.component.get(first).is_some()
            && self.component.get(first) == self.component.get(second)
    }

    /// Whether a node lies on a cycle (it reaches itself).
    pub(crate) fn on_cycle(&self, node: usize) -> bool {
        self.component
            .get(node)
            .is_some_and(|&component| self.cyclic[component])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_self_loops_and_chains() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 3 -> 3 a self-loop; 4 -> 0 leads into the cycle.
        let components = Components::new(&[vec![1], vec![2], vec![0], vec![3], vec![0]]);
        assert!(components.together(0, 2));
        assert!(!components.together(4, 0));
        assert!((0..4).all(|node| components.on_cycle(node)));
        assert!(!components.on_cycle(4));
        assert!(!components.on_cycle(99));
        assert!(!components.together(99, 99));
        // Reverse topological order: 4 leads into the cycle, so its number is higher.
        assert_eq!(components.count(), 3);
        assert!(components.component(4) > components.component(0));
        assert_eq!(components.component(99), None);
    }

    #[test]
    fn a_long_chain_is_handled_without_recursion() {
        let length = 200_000;
        let mut edges: Vec<Vec<usize>> = (1..length).map(|next| vec![next]).collect();
        edges.push(vec![0]);
        let components = Components::new(&edges);
        assert!(components.together(0, length - 1));
        edges[length - 1].clear();
        let components = Components::new(&edges);
        assert!(!components.together(0, length - 1));
        assert!(!components.on_cycle(0));
    }
}
